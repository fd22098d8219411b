pragma solidity 0.8.19;

contract RandomBase {
    uint256 internal nonce;

    function _rand(uint256 mod) internal returns (uint256) {
        nonce++;
        return uint256(keccak256(abi.encodePacked(block.prevrandao, block.timestamp, nonce))) % mod;
    }
}

contract Raffle is RandomBase {
    address[] public entrants;
    address public winner;

    function enter() external payable {
        require(msg.value == 0.01 ether, "fee");
        entrants.push(msg.sender);
    }

    function draw() external {
        require(entrants.length > 0, "empty");
        winner = entrants[_rand(entrants.length)];
    }
}
