// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Test} from "forge-std/Test.sol";
import {Vault} from "../src/Vault.sol";
import {Treasury} from "../src/Treasury.sol";

contract VaultTest is Test {
    function test_deposit() public {
        Vault v = new Vault(new Treasury());
        v.deposit{value: 1 ether}();
        assertEq(v.balances(address(this)), 1 ether);
    }
}
