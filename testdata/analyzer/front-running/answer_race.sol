pragma solidity 0.5.17;

contract Puzzle {
    bytes32 public constant HASH = 0x7d8ec3a0b7b8a6c5e3b7a0cde6cbbd35ab5d6c4b1f5e0e5a7c3c0c3f1b9d8e7a;
    address payable public winner;
    bool public solved;

    function () external payable {}

    function solve(string memory solution) public {
        require(HASH == keccak256(abi.encodePacked(solution)));
        msg.sender.transfer(1 ether);
    }

    function play(bytes32 guess) public {
        if (keccak256(abi.encode(guess)) == keccak256(abi.encode("hello"))) {
            winner = msg.sender;
        }
    }
}
