pragma solidity 0.5.17;

contract Log {
    uint256 public lastSeen;
    mapping(address => uint256) public seenAt;
    event Seen(address who, uint256 when);

    function ping() external {
        lastSeen = block.timestamp;
        seenAt[msg.sender] = now;
        emit Seen(msg.sender, block.timestamp);
    }

    function current() external view returns (uint256) {
        return block.timestamp;
    }
}
