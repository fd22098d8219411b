pragma solidity 0.4.24;

contract Token {
    mapping(address => mapping(address => uint256)) public allowed;

    function approve(address spender, uint256 value) public returns (bool) {
        allowed[msg.sender][spender] = value;
        return true;
    }
}
