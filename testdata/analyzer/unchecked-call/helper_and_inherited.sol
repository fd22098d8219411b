pragma solidity 0.8.19;

contract Sender {
    function _push(address payable to, uint256 v) internal {
        to.call{value: v}("");
    }
}

contract Splitter is Sender {
    address payable public a;
    address payable public b;
    address public owner;

    constructor(address payable a_, address payable b_) {
        a = a_;
        b = b_;
        owner = msg.sender;
    }

    function split() external {
        require(msg.sender == owner, "owner");
        uint256 half = address(this).balance / 2;
        _push(a, half);
        b.send(half);
    }
}
