// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Token} from "./b/Token.sol";

/// Inherits the `Token` of `b/`, whose `fromDeployer` checks the caller.
contract VaultB is Token {
    function close() external fromDeployer {
        selfdestruct(payable(msg.sender));
    }
}
