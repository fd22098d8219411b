pragma solidity 0.8.19;

contract Modern {
    mapping(address => uint256) public balances;

    function add(uint256 v) external {
        balances[msg.sender] += v;
    }
}
