pragma solidity 0.4.25;

contract BatchToken {
    mapping(address => uint256) public balances;

    function batchTransfer(address[] receivers, uint256 value) public {
        uint256 amount = receivers.length * value;
        require(balances[msg.sender] >= amount);
        balances[msg.sender] -= amount;
        for (uint256 i = 0; i < receivers.length; i++) {
            balances[receivers[i]] += value;
        }
    }
}
