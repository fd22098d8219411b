pragma solidity 0.8.19;

contract Modern {
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    function pay(address payable to, uint256 v) external {
        require(msg.sender == owner, "owner");
        (bool ok, ) = to.call{value: v}("");
        require(ok, "failed");
    }

    function payOrLog(address payable to, uint256 v) external returns (bool) {
        require(msg.sender == owner, "owner");
        (bool ok, bytes memory ret) = to.call{value: v}("");
        if (!ok) {
            return false;
        }
        return ret.length == 0;
    }

    function safeTransfer(address payable to, uint256 v) external {
        require(msg.sender == owner, "owner");
        to.transfer(v);
    }
}
