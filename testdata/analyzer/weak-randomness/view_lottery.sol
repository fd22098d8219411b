pragma solidity 0.5.17;

contract Lottery {
    address payable[] public players;

    function enter() external payable {
        require(msg.value == 0.1 ether);
        players.push(msg.sender);
    }

    function random() private view returns (uint256) {
        return uint256(keccak256(abi.encodePacked(block.difficulty, now, players.length)));
    }

    function pickIndex() public view returns (uint256) {
        return uint256(keccak256(abi.encodePacked(block.timestamp))) % players.length;
    }

    function roll() external view returns (uint8) {
        return uint8(uint256(keccak256(abi.encodePacked(block.timestamp, msg.sender))) % 6 + 1);
    }
}
