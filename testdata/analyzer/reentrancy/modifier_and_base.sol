pragma solidity 0.5.17;

contract Ledger {
    mapping(address => uint256) internal shares;

    function _pay(address payable to, uint256 amount) internal {
        (bool ok, ) = to.call.value(amount)("");
        require(ok);
    }
}

contract Pool is Ledger {
    uint256 public total;

    modifier hasShares() {
        require(shares[msg.sender] > 0);
        _;
    }

    function join() external payable {
        shares[msg.sender] += msg.value;
        total += msg.value;
    }

    function leave() external hasShares {
        uint256 s = shares[msg.sender];
        _pay(msg.sender, s);
        shares[msg.sender] = 0;
        total -= s;
    }
}
