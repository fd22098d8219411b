pragma solidity 0.5.17;

contract Shop {
    uint256 public price = 1 ether;
    address public owner;
    mapping(address => uint256) public bought;

    constructor() public {
        owner = msg.sender;
    }

    function refund() external payable {
        msg.sender.transfer(msg.value);
    }

    function buy() external payable {
        require(msg.value >= price);
        bought[msg.sender] += 1;
        msg.sender.transfer(msg.value - price);
    }

    function payTo(address payable to) internal {
        to.transfer(1 ether);
    }

    function reward() external {
        require(msg.sender == owner);
        payTo(msg.sender);
    }

    function nothingOwed() external {
        uint64 owed = 0;
        msg.sender.transfer(owed);
    }
}
