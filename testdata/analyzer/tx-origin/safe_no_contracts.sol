pragma solidity 0.5.17;

contract Mint {
    address public owner;
    mapping(address => uint256) public minted;
    event Minted(address indexed by, address origin);

    constructor() public {
        owner = msg.sender;
    }

    function mint() external {
        require(tx.origin == msg.sender, "no contracts");
        minted[msg.sender] += 1;
        emit Minted(msg.sender, tx.origin);
    }

    function adminMint(address to) external {
        require(msg.sender == owner);
        require(msg.sender == tx.origin);
        minted[to] += 1;
    }
}
