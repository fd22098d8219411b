pragma solidity 0.8.19;

contract Counter {
    uint256 public count;
    uint256 public lastBlock;
    uint256 public limit = 100;

    function bump() external {
        require(count < limit, "done");
        lastBlock = block.number;
        count += 1;
    }
}
