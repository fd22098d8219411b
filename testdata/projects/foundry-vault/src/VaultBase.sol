// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// Bookkeeping shared by the vaults: balances, the fee, the keeper.
abstract contract VaultBase is Ownable {
    mapping(address => uint256) public balances;
    uint256 public feeBps;
    address public keeper;

    constructor(address owner_) Ownable(owner_) {}

    modifier onlyKeeper() {
        require(msg.sender == keeper, "not keeper");
        _;
    }

    function setFee(uint256 bps) external onlyOwner {
        feeBps = bps;
    }

    function setKeeper(address k) external {
        require(tx.origin == owner(), "not owner");
        keeper = k;
    }
}
