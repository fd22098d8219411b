pragma solidity 0.4.24;

contract Faucet {
    uint256 public given;

    function() public payable {}

    function drip() public {
        msg.sender.transfer(1 ether);
    }

    function dripTo(address to) external {
        to.transfer(0.5 ether);
    }

    function claim() public {
        require(address(this).balance >= 2 ether);
        uint256 amount = 2 ether;
        msg.sender.transfer(amount);
    }
}
