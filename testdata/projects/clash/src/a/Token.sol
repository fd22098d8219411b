// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// A token whose `pull` calls back into the caller.
contract Token {
    function pull(address to) external {
        (bool ok, ) = to.call("");
        require(ok);
    }
}
