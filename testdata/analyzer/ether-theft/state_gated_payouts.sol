pragma solidity 0.5.17;

contract Bonus {
    bool public open = true;
    uint256 public bonus = 1 ether;
    uint256 public counter;

    function () external payable {}

    function takeBonus() external {
        require(open);
        require(counter <= 5);
        counter += 1;
        if (!msg.sender.send(bonus)) {
            revert();
        }
    }

    function sweep(address payable to) public {
        to.transfer(address(this).balance);
    }
}
