pragma solidity 0.4.24;

contract Payroll {
    mapping(address => uint256) public salary;
    address public owner;

    constructor() public {
        owner = msg.sender;
    }

    function setSalary(address who, uint256 amount) public {
        require(msg.sender == owner);
        salary[who] = amount;
    }

    function pay(address who) public {
        require(msg.sender == owner);
        uint256 amount = salary[who];
        salary[who] = 0;
        who.transfer(amount);
        uint256 count = 1;
        count += 1;
    }
}
