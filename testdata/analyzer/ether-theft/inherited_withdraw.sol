pragma solidity 0.4.24;

contract Base {
    mapping(address => uint256) public deposits;

    function withdrawDeposit() public {
        msg.sender.transfer(deposits[msg.sender]);
    }
}

contract Child is Base {
    function deposit() public payable {
        require(deposits[msg.sender] + msg.value >= deposits[msg.sender]);
        deposits[msg.sender] += msg.value;
    }

    function cashOut(uint256 amount) public {
        msg.sender.transfer(amount);
    }
}
