// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

library Math {
    function mulDiv(uint256 a, uint256 b, uint256 d) internal pure returns (uint256) {
        return (a * b) / d;
    }
}
