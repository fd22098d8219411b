// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Registry} from "./Registry.sol";

contract Member {
    Registry public registry;

    constructor(Registry r) {
        registry = r;
    }

    function leave() external {
        selfdestruct(payable(msg.sender));
    }
}
