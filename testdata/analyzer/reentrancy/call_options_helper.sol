pragma solidity 0.8.19;

contract Vault {
    mapping(address => uint256) private credit;
    uint256 public paidOut;

    function deposit() external payable {
        credit[msg.sender] += msg.value;
    }

    function claim() external {
        uint256 owed = credit[msg.sender];
        require(owed > 0, "nothing");
        (bool ok, ) = payable(msg.sender).call{value: owed}("");
        require(ok, "failed");
        settle(msg.sender, owed);
    }

    function settle(address who, uint256 owed) internal {
        credit[who] = 0;
        paidOut += owed;
    }
}
