pragma solidity 0.4.24;

contract Dice {
    uint256 public lastRoll;
    mapping(address => uint256) public wins;

    function play(uint256 guess) public payable {
        require(msg.value == 1 ether);
        uint256 seed = block.number;
        uint256 roll = uint256(keccak256(seed, msg.sender)) % 6;
        lastRoll = roll;
        if (roll == guess) {
            wins[msg.sender] += 1;
        }
    }

    function coin() public view returns (bool) {
        uint256 t = block.timestamp;
        return t % 2 == 0;
    }

    function previous() public view returns (uint256) {
        return uint256(blockhash(block.number - 1)) % 100;
    }
}
