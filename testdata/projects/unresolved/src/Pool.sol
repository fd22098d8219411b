// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Math} from "./Math.sol";
import {IOracle} from "@missing/oracle/IOracle.sol";

contract Pool {
    IOracle public oracle;
    mapping(address => uint256) public shares;

    function value(address who) external view returns (uint256) {
        return Math.mulDiv(shares[who], oracle.price(), 1e18);
    }
}
