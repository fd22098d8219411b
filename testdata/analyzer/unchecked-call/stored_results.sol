pragma solidity 0.5.17;

contract Batch {
    address public owner;
    bool public lastOk;

    constructor() public {
        owner = msg.sender;
    }

    function run(address payable to, uint256 v) external {
        require(msg.sender == owner);
        bool sent = to.send(v);
        (bool ok, ) = to.call.value(v)("");
        (bool done, bytes memory data) = to.call("");
        lastOk = true;
    }

    function later(address payable to) external {
        require(msg.sender == owner);
        bool ok;
        ok = to.send(1 ether);
    }
}
