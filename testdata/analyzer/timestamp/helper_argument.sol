pragma solidity 0.8.19;

contract Vesting {
    uint256 public cliff;
    mapping(address => uint256) public granted;
    address public owner;

    constructor(uint256 cliff_) {
        cliff = cliff_;
        owner = msg.sender;
    }

    function grant(address to, uint256 amount) external {
        require(msg.sender == owner, "owner");
        granted[to] += amount;
    }

    function _vested(uint256 at) internal view returns (bool) {
        return at >= cliff;
    }

    function release() external {
        require(_vested(block.timestamp), "locked");
        uint256 amount = granted[msg.sender];
        granted[msg.sender] = 0;
        payable(msg.sender).transfer(amount);
    }

    function lastCast() external view returns (bool) {
        return uint64(block.timestamp) > cliff;
    }
}
