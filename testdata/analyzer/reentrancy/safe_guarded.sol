pragma solidity 0.5.17;

contract Guarded {
    mapping(address => uint256) public balances;
    bool private locked;

    modifier nonReentrant() {
        require(!locked);
        locked = true;
        _;
        locked = false;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external nonReentrant {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call.value(amount)("");
        require(ok);
        balances[msg.sender] = 0;
    }

    function peek(address who) external view returns (uint256) {
        return balances[who];
    }
}
