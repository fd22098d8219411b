// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Token} from "./Token.sol";

/// Sells tokens for ether at a fixed price.
contract Sale is Ownable {
    Token public immutable token;
    uint256 public price;
    mapping(address => uint256) public paid;

    constructor(Token t, uint256 p) Ownable(msg.sender) {
        token = t;
        price = p;
    }

    function buy() external payable {
        paid[msg.sender] += msg.value;
        token.mint(msg.sender, msg.value / price);
    }

    function setPrice(uint256 p) external onlyOwner {
        price = p;
    }

    function refund() external {
        uint256 amount = paid[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok);
        paid[msg.sender] = 0;
    }

    function withdraw(address payable to) external onlyOwner {
        to.transfer(address(this).balance);
    }
}
