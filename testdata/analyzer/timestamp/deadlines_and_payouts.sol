pragma solidity 0.4.24;

contract Lock {
    mapping(address => uint256) public lockTime;
    mapping(address => uint256) public deposits;
    uint256 public rate = 1000;

    function deposit() public payable {
        require(deposits[msg.sender] + msg.value >= deposits[msg.sender]);
        deposits[msg.sender] += msg.value;
        lockTime[msg.sender] = now + 1 weeks;
    }

    function withdraw() public {
        require(now > lockTime[msg.sender]);
        uint256 amount = deposits[msg.sender];
        deposits[msg.sender] = 0;
        msg.sender.transfer(amount);
    }

    function interest() public view returns (uint256) {
        uint256 elapsed = now - lockTime[msg.sender];
        uint256 t = elapsed;
        while (t > 1 days) {
            t -= 1 days;
        }
        return t;
    }
}
