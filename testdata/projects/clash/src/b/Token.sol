// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// Another `Token`: its owner is set once and guards `fromDeployer`.
contract Token {
    address public deployer;

    constructor() {
        deployer = msg.sender;
    }

    modifier fromDeployer() {
        require(msg.sender == deployer);
        _;
    }
}
