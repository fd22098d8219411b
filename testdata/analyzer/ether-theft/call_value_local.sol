pragma solidity 0.8.19;

contract Rewards {
    uint256 public rate = 0.1 ether;
    mapping(address => uint256) public lastClaim;

    receive() external payable {}

    function claimReward() external {
        uint256 reward = rate * 3;
        address payable who = payable(msg.sender);
        (bool ok, ) = who.call{value: reward}("");
        require(ok, "failed");
    }

    function payOut(address payable to, uint256 amount) public {
        _send(to, amount);
    }

    function _send(address payable to, uint256 amount) internal {
        (bool ok, ) = to.call{value: amount}("");
        require(ok);
    }
}
