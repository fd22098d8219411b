// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {VaultBase} from "./VaultBase.sol";
import {Treasury} from "./Treasury.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// Ether deposits with a fee to the treasury.
contract Vault is VaultBase {
    Treasury public treasury;

    constructor(Treasury t) VaultBase(msg.sender) {
        treasury = t;
    }

    function deposit() external payable {
        uint256 fee = (msg.value * feeBps) / 10_000;
        treasury.receiveFee{value: fee}();
        balances[msg.sender] += msg.value - fee;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }

    function sweep(address payable to) external onlyOwner {
        selfdestruct(to);
    }

    function rescue(IERC20 token, address to, uint256 amount) external onlyKeeper {
        token.transfer(to, amount);
    }

    function emergencyExit(address payable to) external {
        selfdestruct(to);
    }
}
