pragma solidity 0.5.17;

contract Treasury {
    function () external payable {}

    function withdrawAll(address payable recipient, address owner_) public {
        require(msg.sender == owner_);
        recipient.transfer(address(this).balance);
    }

    function sendTo(address payable receiver, uint256 amount, address admin) public {
        require(tx.origin == admin);
        receiver.transfer(amount);
    }
}
