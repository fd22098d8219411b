// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// Receives the vaults' fees.
contract Treasury {
    uint256 public collected;

    function receiveFee() external payable {
        collected += msg.value;
    }
}
