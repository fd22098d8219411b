pragma solidity 0.8.19;

contract Epochs {
    uint256 public constant EPOCH = 1 days;
    uint256 public genesis;

    constructor() {
        genesis = block.timestamp;
    }

    function epochOf(uint256 t) public view returns (uint256) {
        return (t - genesis) / EPOCH;
    }

    function dayOfWeek(uint256 t) public pure returns (uint256) {
        return (t / 1 days + 4) % 7;
    }
}
