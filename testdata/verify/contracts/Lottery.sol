// SPDX-License-Identifier: MIT
pragma solidity ^0.7.6;

contract Lottery {
    address public admin;
    address[] public players;
    uint256 public ticketPrice = 0.1 ether;
    uint256 public pot;
    mapping(address => uint256) public tickets;

    constructor() {
        admin = msg.sender;
    }

    function buy(uint256 count) external payable {
        require(msg.value == ticketPrice * count, "wrong price");
        tickets[msg.sender] += count;
        pot += msg.value;
        players.push(msg.sender);
    }

    // Picks the winner from the last block's hash.
    function draw() external {
        require(tx.origin == admin, "admin only");
        uint256 seed = uint256(keccak256(abi.encodePacked(blockhash(block.number - 1), block.timestamp)));
        address winner = players[seed % players.length];
        uint256 prize = pot;
        pot = 0;
        payable(winner).send(prize);
        delete players;
    }

    function refund(uint256 count) external {
        tickets[msg.sender] -= count;
        uint256 amount = count * ticketPrice;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "refund failed");
        pot -= amount;
    }

    function setPrice(uint256 price) external {
        require(msg.sender == admin, "admin only");
        ticketPrice = price;
    }
}
