pragma solidity 0.4.25;

contract Refunds {
    mapping(address => uint256) public owed;
    uint256 public outstanding;

    function record(address who) public payable {
        owed[who] += msg.value;
        outstanding += msg.value;
    }

    function refund() public {
        uint256 amount = owed[msg.sender];
        require(amount > 0);
        msg.sender.transfer(amount);
        owed[msg.sender] = 0;
        outstanding -= amount;
    }
}
