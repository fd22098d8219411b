pragma solidity 0.4.24;

contract Audit {
    address public owner;
    address public lastOrigin;
    mapping(address => uint256) public calls;

    constructor() public {
        owner = msg.sender;
    }

    function touch() public {
        require(msg.sender == owner);
        lastOrigin = tx.origin;
        calls[tx.origin] += 1;
    }
}
