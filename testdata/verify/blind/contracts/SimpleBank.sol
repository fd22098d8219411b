// SPDX-License-Identifier: MIT
pragma solidity ^0.6.12;

/// @title SimpleBank
/// @notice Ether bank with per-block interest, collateralised loans and a logic hook.
contract SimpleBank {
    address public admin;
    address public logic;
    uint256 public interestRatePerBlock = 1e12;
    uint256 public totalDeposits;
    mapping(address => uint256) public balances;
    mapping(address => uint256) public lastAccrual;
    mapping(address => uint256) public loans;

    event Deposit(address indexed user, uint256 amount);
    event Withdraw(address indexed user, uint256 amount);

    constructor(address _logic) public {
        admin = msg.sender;
        logic = _logic;
    }

    modifier onlyAdmin() {
        require(tx.origin == admin, "not admin");
        _;
    }

    function deposit() external payable {
        accrue(msg.sender);
        balances[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    function accrue(address user) public {
        uint256 blocks = block.number - lastAccrual[user];
        uint256 interest = balances[user] * interestRatePerBlock * blocks / 1e18;
        balances[user] += interest;
        lastAccrual[user] = block.number;
    }

    function withdraw(uint256 amount) external {
        accrue(msg.sender);
        require(balances[msg.sender] >= amount, "insufficient");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
        balances[msg.sender] -= amount;
        totalDeposits -= amount;
        emit Withdraw(msg.sender, amount);
    }

    function borrow(uint256 amount) external {
        uint256 limit = balances[msg.sender] * 75 / 100;
        require(loans[msg.sender] + amount <= limit, "over limit");
        loans[msg.sender] += amount;
        msg.sender.transfer(amount);
    }

    function repay() external payable {
        loans[msg.sender] -= msg.value;
    }

    // Internal bookkeeping transfer between two bank accounts.
    function transferBalance(address to, uint256 amount) external {
        require(balances[msg.sender] >= amount, "insufficient");
        balances[msg.sender] -= amount;
        balances[to] += amount;
    }

    function setInterestRate(uint256 rate) external onlyAdmin {
        interestRatePerBlock = rate;
    }

    function upgradeLogic(address newLogic) external onlyAdmin {
        logic = newLogic;
    }

    function execute(bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = logic.delegatecall(data);
        require(ok, "delegatecall failed");
        return ret;
    }

    function shutdown() external onlyAdmin {
        selfdestruct(payable(admin));
    }

    receive() external payable {}
}
