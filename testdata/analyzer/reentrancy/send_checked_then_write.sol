pragma solidity 0.5.17;

contract Prize {
    address public owner;
    address payable public winner;
    uint256 public prize;
    bool public paid;
    uint256 public rounds;

    constructor() public {
        owner = msg.sender;
    }

    function fund(address payable w) external payable {
        require(msg.sender == owner);
        winner = w;
        prize = msg.value;
    }

    function payout() external {
        require(msg.sender == owner);
        require(!paid);
        if (!winner.send(prize))
            revert();
        paid = true;
    }

    function payOnce(address payable to) internal {
        require(to.send(prize));
        prize = 0;
    }

    function close() external {
        require(msg.sender == owner);
        payOnce(winner);
        rounds += 1;
    }
}
