// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Member} from "./Member.sol";

contract Registry {
    mapping(address => bool) public members;

    function join() external {
        Member m = new Member(this);
        members[address(m)] = true;
    }
}
