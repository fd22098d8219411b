pragma solidity 0.4.24;

contract Owned {
    address public owner;
    mapping(address => bool) public operators;

    constructor() public {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(tx.origin == owner);
        _;
    }

    modifier onlyOperator {
        if (!operators[tx.origin]) throw;
        _;
    }
}

contract Token is Owned {
    mapping(address => uint256) public balances;

    function mint(address to, uint256 amount) public onlyOwner {
        balances[to] = amount;
    }

    function addOperator(address op) public onlyOwner {
        operators[op] = true;
    }

    function burn(address from) public onlyOperator {
        balances[from] = 0;
    }
}
