// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

interface IERC20 {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}

/// @title TokenVesting
/// @notice Linear vesting of an ERC20 token with a cliff, managed by an owner.
contract TokenVesting {
    struct Schedule {
        uint256 total;
        uint256 released;
        uint64 start;
        uint64 cliff;
        uint64 duration;
        bool revocable;
        bool revoked;
    }

    IERC20 public immutable token;
    address public owner;
    uint256 public totalAllocated;
    address[] public beneficiaries;
    mapping(address => Schedule) public schedules;

    event ScheduleCreated(address indexed beneficiary, uint256 total);
    event Released(address indexed beneficiary, uint256 amount);

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    constructor(IERC20 _token) {
        token = _token;
        owner = msg.sender;
    }

    /// @notice Funds and registers a new vesting schedule for `beneficiary`.
    function createSchedule(
        address beneficiary,
        uint256 total,
        uint64 cliffSeconds,
        uint64 duration,
        bool revocable
    ) external onlyOwner {
        require(schedules[beneficiary].total == 0, "exists");
        require(duration > 0 && cliffSeconds <= duration, "bad params");
        token.transferFrom(msg.sender, address(this), total);
        uint64 nowTs = uint64(block.timestamp);
        schedules[beneficiary] = Schedule(total, 0, nowTs, nowTs + cliffSeconds, duration, revocable, false);
        beneficiaries.push(beneficiary);
        totalAllocated += total;
        emit ScheduleCreated(beneficiary, total);
    }

    function vestedAmount(address beneficiary) public view returns (uint256) {
        Schedule memory s = schedules[beneficiary];
        if (block.timestamp < s.cliff) {
            return 0;
        }
        uint256 elapsed = block.timestamp - s.start;
        if (elapsed >= s.duration || s.revoked) {
            return s.total;
        }
        return (s.total * elapsed) / s.duration;
    }

    function release() external {
        Schedule storage s = schedules[msg.sender];
        uint256 amount = vestedAmount(msg.sender) - s.released;
        require(amount > 0, "nothing to release");
        token.transfer(msg.sender, amount);
        s.released += amount;
        emit Released(msg.sender, amount);
    }

    function revoke(address beneficiary) external onlyOwner {
        Schedule storage s = schedules[beneficiary];
        require(s.revocable && !s.revoked, "not revocable");
        uint256 vested = vestedAmount(beneficiary);
        uint256 refund;
        unchecked {
            refund = s.total - vested;
        }
        s.total = vested;
        s.revoked = true;
        totalAllocated -= refund;
        token.transfer(owner, refund);
    }

    /// @dev Sums what every beneficiary could release right now.
    function releasableTotal() external view returns (uint256 sum) {
        for (uint256 i = 0; i < beneficiaries.length; i++) {
            address b = beneficiaries[i];
            sum += vestedAmount(b) - schedules[b].released;
        }
    }

    function transferOwnership(address newOwner) external onlyOwner {
        owner = newOwner;
    }

    function emergencyWithdraw(uint256 amount) external onlyOwner {
        // Owner can pull any token balance, including unvested allocations.
        token.transfer(owner, amount);
    }
}
