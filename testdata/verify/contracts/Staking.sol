// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20 {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address who) external view returns (uint256);
}

/// @title Staking
/// @notice Stake a token, earn rewards per second.
contract Staking {
    IERC20 public immutable token;
    address public owner;
    uint256 public rewardRate;
    bool public paused;

    mapping(address => uint256) public staked;
    mapping(address => uint256) public since;
    address[] public stakers;

    event Staked(address indexed who, uint256 amount);
    event Unstaked(address indexed who, uint256 amount);

    modifier onlyOwner() {
        require(msg.sender == owner, "only owner");
        _;
    }

    constructor(IERC20 _token, uint256 _rate) {
        token = _token;
        owner = msg.sender;
        rewardRate = _rate;
    }

    function stake(uint256 amount) external {
        require(!paused, "paused");
        token.transferFrom(msg.sender, address(this), amount);
        if (staked[msg.sender] == 0) {
            stakers.push(msg.sender);
        }
        staked[msg.sender] += amount;
        since[msg.sender] = block.timestamp;
        emit Staked(msg.sender, amount);
    }

    function pending(address who) public view returns (uint256) {
        return staked[who] * rewardRate * (block.timestamp - since[who]) / 1e18;
    }

    function unstake() external {
        uint256 amount = staked[msg.sender] + pending(msg.sender);
        (bool ok, ) = msg.sender.call{value: 0}(abi.encodeWithSignature("onUnstake(uint256)", amount));
        token.transfer(msg.sender, amount);
        staked[msg.sender] = 0;
        since[msg.sender] = 0;
        emit Unstaked(msg.sender, amount);
    }

    function setRewardRate(uint256 rate) external onlyOwner {
        rewardRate = rate;
    }

    function setPaused(bool p) external {
        paused = p;
    }

    function totalStaked() external view returns (uint256 sum) {
        for (uint256 i = 0; i < stakers.length; ) {
            sum += staked[stakers[i]];
            unchecked { ++i; }
        }
    }

    function sweep(address to) external onlyOwner {
        uint256 extra = token.balanceOf(address(this));
        token.transfer(to, extra);
    }
}
