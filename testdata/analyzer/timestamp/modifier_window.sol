pragma solidity 0.8.19;

contract Auction {
    uint256 public immutable endsAt;
    uint256 public startedAt = block.timestamp;
    address public highest;
    uint256 public bid;

    constructor() {
        endsAt = block.timestamp + 3 days;
    }

    modifier whileOpen() {
        require(block.timestamp < endsAt, "closed");
        _;
    }

    function placeBid() external payable whileOpen {
        require(msg.value > bid, "low");
        highest = msg.sender;
        bid = msg.value;
    }

    function remaining() external view returns (uint256) {
        return block.timestamp >= endsAt ? 0 : endsAt - block.timestamp;
    }
}
