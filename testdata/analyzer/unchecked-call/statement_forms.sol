pragma solidity 0.4.24;

contract Payer {
    address public owner;
    uint256 public paid;

    constructor() public {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(msg.sender == owner);
        _;
    }

    function pay(address to, uint256 amount) public onlyOwner {
        to.send(amount);
        paid += 1;
    }

    function payAll(address[] recipients) public onlyOwner {
        for (uint256 i = 0; i < recipients.length; i++)
            recipients[i].send(1 finney);
    }

    function forward(address to, bytes data) public onlyOwner {
        to.call(data);
    }

    function payTwo(address a, address b) public onlyOwner {
        a.send(1 wei) && b.send(1 wei);
    }
}
