pragma solidity 0.4.24;

contract Checked {
    address public owner;
    bool public lastResult;

    constructor() public {
        owner = msg.sender;
    }

    function a(address to, uint256 v) public {
        require(msg.sender == owner);
        require(to.send(v));
    }

    function b(address to, uint256 v) public {
        require(msg.sender == owner);
        if (!to.send(v)) revert();
    }

    function c(address to, uint256 v) public {
        require(msg.sender == owner);
        bool ok = to.send(v);
        require(ok);
    }

    function d(address to, bytes data) public returns (bool) {
        require(msg.sender == owner);
        return to.call(data);
    }

    function e(address to, uint256 v) public {
        require(msg.sender == owner);
        bool ok = to.call.value(v)();
        if (!ok) {
            revert();
        }
    }

    function g(address to, uint256 v) public {
        require(msg.sender == owner);
        assert(to.call.value(v)());
    }
}
