pragma solidity 0.4.24;

contract Checked {
    mapping(address => uint256) public balances;

    function transfer(address to, uint256 value) public {
        require(balances[msg.sender] >= value);
        require(balances[to] + value >= balances[to]);
        balances[msg.sender] -= value;
        balances[to] += value;
    }
}
