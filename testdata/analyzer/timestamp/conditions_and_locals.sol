pragma solidity 0.5.17;

contract Sale {
    uint256 public start;
    uint256 public end;
    address payable public winner;
    mapping(address => uint256) public bought;

    constructor(uint256 duration) public {
        start = now;
        end = now + duration;
    }

    function buy() external payable {
        require(block.timestamp >= start && block.timestamp < end);
        bought[msg.sender] += msg.value;
    }

    function play(uint256 startTime) public {
        uint256 vtime = block.timestamp;
        if (startTime + 5 days == vtime) {
            winner = msg.sender;
        }
    }

    function isOpen() public view returns (bool) {
        return now <= end;
    }

    function lucky() external payable {
        require(msg.value == 1 ether);
        if (now % 15 == 0) {
            msg.sender.transfer(address(this).balance);
        }
    }
}
