pragma solidity 0.4.24;

contract TimeLock {
    mapping(address => uint256) public lockTime;
    mapping(address => uint256) public balances;
    uint256 public totalSupply;

    function increaseLockTime(uint256 secs) public {
        lockTime[msg.sender] += secs;
    }

    function transfer(address to, uint256 value) public {
        require(balances[msg.sender] - value >= 0);
        balances[msg.sender] -= value;
        balances[to] += value;
    }

    function mint(uint256 amount) public {
        totalSupply = totalSupply + amount;
    }
}
