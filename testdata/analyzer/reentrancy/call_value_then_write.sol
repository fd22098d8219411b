pragma solidity 0.4.24;

contract Bank {
    mapping(address => uint256) public balances;

    function deposit() public payable {
        require(balances[msg.sender] + msg.value >= balances[msg.sender]);
        balances[msg.sender] += msg.value;
    }

    function withdraw() public {
        uint256 amount = balances[msg.sender];
        require(msg.sender.call.value(amount)());
        balances[msg.sender] = 0;
    }

    function withdrawSome(uint256 amount) public {
        require(balances[msg.sender] >= amount);
        if (msg.sender.call.value(amount)()) {
            balances[msg.sender] -= amount;
        }
    }
}
