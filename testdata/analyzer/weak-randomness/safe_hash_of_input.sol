pragma solidity 0.5.17;

contract Commit {
    mapping(address => bytes32) public commits;
    mapping(address => uint256) public committedAt;

    function commit(bytes32 h) external {
        commits[msg.sender] = h;
        committedAt[msg.sender] = block.number;
    }

    function reveal(uint256 value, bytes32 salt) external view returns (uint256) {
        require(keccak256(abi.encodePacked(value, salt)) == commits[msg.sender]);
        return value % 10;
    }

    function id(address who, uint256 n) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(who, n));
    }
}
