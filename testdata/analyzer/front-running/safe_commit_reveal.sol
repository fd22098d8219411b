pragma solidity 0.5.17;

contract Reveal {
    mapping(address => bytes32) public commitments;
    bytes32 public answerHash;
    address public winner;

    constructor(bytes32 h) public {
        answerHash = h;
    }

    function commit(bytes32 c) external {
        commitments[msg.sender] = c;
    }

    function reveal(uint256 answer, bytes32 salt) external {
        require(keccak256(abi.encodePacked(msg.sender, answer, salt)) == commitments[msg.sender]);
        require(keccak256(abi.encodePacked(answer)) == answerHash);
        winner = msg.sender;
    }
}
